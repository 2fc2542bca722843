using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Catalog.Tests.Infrastructure;

/// <summary>Stands in for identity's key ring: the service under test trusts this key, and tests
/// mint access tokens with it.</summary>
public sealed class TestSigningKeys : ISigningKeySource, IDisposable
{
    private readonly RSA rsa = RSA.Create(2048);
    private readonly RsaSecurityKey key;

    public TestSigningKeys() => key = new RsaSecurityKey(rsa) { KeyId = "catalog-tests" };

    public SigningCredentials Credentials => new(key, SecurityAlgorithms.RsaSha256);

    public Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<SecurityKey>>([new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = key.KeyId }]);

    public string TokenFor(Guid userId, params string[] roles) =>
        TokenForge.Create(Credentials, userId, roles, DateTime.UtcNow.AddMinutes(10));

    public void Dispose() => rsa.Dispose();
}
