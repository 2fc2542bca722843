using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Gateway.Tests.Infrastructure;

/// <summary>Stands in for identity's key ring in tests that do not run identity: the gateway trusts
/// this key, so tokens signed with it are valid at the edge.</summary>
public sealed class TestSigningKey : ISigningKeySource
{
    public static readonly TestSigningKey Instance = new();
    private readonly RsaSecurityKey key;

    private TestSigningKey()
    {
        var rsa = RSA.Create(2048);
        key = new RsaSecurityKey(rsa) { KeyId = "gateway-tests" };
        Credentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256);
    }

    public SigningCredentials Credentials { get; }

    public string ValidToken(Guid userId, params string[] roles) =>
        TokenForge.Create(Credentials, userId, roles.Length == 0 ? [Roles.Customer] : roles, DateTime.UtcNow.AddMinutes(10));

    public Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<SecurityKey>>([key]);
}
