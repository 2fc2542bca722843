using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Inventory.Tests.Support;

/// <summary>Stands in for identity's JWKS: the service trusts this RSA key, and tests mint tokens with it.</summary>
public sealed class TestSigningKeys : ISigningKeySource, IDisposable
{
    private readonly RSA rsa = RSA.Create(2048);
    private readonly RsaSecurityKey key;

    public TestSigningKeys() => key = new RsaSecurityKey(rsa) { KeyId = "inventory-tests" };

    public Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<SecurityKey>>([key]);

    public string Token(Guid userId, params string[] roles) =>
        TokenForge.Create(new SigningCredentials(key, SecurityAlgorithms.RsaSha256), userId, roles, DateTime.UtcNow.AddMinutes(10));

    public void Dispose() => rsa.Dispose();
}
