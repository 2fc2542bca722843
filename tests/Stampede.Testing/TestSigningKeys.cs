using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Testing;

/// <summary>Stands in for identity's JWKS in a service's own tests: register it as the service's
/// <see cref="ISigningKeySource"/>, and mint access tokens the service trusts with
/// <see cref="TokenFor"/>.</summary>
public sealed class TestSigningKeys : ISigningKeySource, IDisposable
{
    private readonly RSA rsa = RSA.Create(2048);
    private readonly RsaSecurityKey key;

    public TestSigningKeys()
    {
        key = new RsaSecurityKey(rsa) { KeyId = "test-key-" + Guid.NewGuid().ToString("N")[..8] };
        Credentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256);
    }

    public SigningCredentials Credentials { get; }

    public Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<SecurityKey>>([new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = key.KeyId }]);

    /// <summary>A token valid for ten minutes; a customer's when no role is given.</summary>
    public string TokenFor(Guid userId, params string[] roles) =>
        TokenForge.Create(Credentials, userId, roles.Length == 0 ? [Roles.Customer] : roles, DateTime.UtcNow.AddMinutes(10));

    public void Dispose() => rsa.Dispose();
}
