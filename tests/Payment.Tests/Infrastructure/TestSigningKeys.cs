using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Payment.Tests.Infrastructure;

/// <summary>Stands in for identity's JWKS: one RSA key generated for the test run, trusted by the
/// service under test, which tokens are minted with.</summary>
public sealed class TestSigningKeys : ISigningKeySource, IDisposable
{
    private readonly RSA rsa = RSA.Create(2048);
    private readonly RsaSecurityKey key;

    public TestSigningKeys()
    {
        key = new RsaSecurityKey(rsa) { KeyId = "payment-tests" };
        Credentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256);
    }

    public SigningCredentials Credentials { get; }

    public Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<SecurityKey>>([key]);

    // TokenForge dates the token 15 minutes before its expiry, so 10 minutes ahead makes it valid now.
    public string TokenFor(Guid userId, params string[] roles) =>
        TokenForge.Create(Credentials, userId, roles.Length == 0 ? [Roles.Customer] : roles, DateTime.UtcNow.AddMinutes(10));

    public void Dispose() => rsa.Dispose();
}
