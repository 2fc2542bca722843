using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Stampede.ServiceDefaults.Auth;

/// <summary>Where a service gets the public keys that access tokens are signed with. Services
/// read identity's JWKS over HTTP; identity reads its own key ring.</summary>
public interface ISigningKeySource
{
    Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken);
}

internal sealed class JwksSigningKeySource(HttpClient http, JwtSettings settings) : ISigningKeySource
{
    public async Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken)
    {
        // Without a JWKS address no token can be trusted: every bearer token is refused (401).
        if (string.IsNullOrEmpty(settings.JwksUrl)) return [];
        var json = await http.GetStringAsync(settings.JwksUrl, cancellationToken);
        return [.. new JsonWebKeySet(json).GetSigningKeys()];
    }
}

/// <summary>Feeds the JWT bearer handler with keys from an <see cref="ISigningKeySource"/>, cached;
/// a token with an unknown key id makes the handler ask for a refresh, which is how rotated keys
/// are picked up. Refreshes are throttled so forged key ids cannot hammer identity.</summary>
internal sealed class SigningKeyConfigurationManager(
    ISigningKeySource source, JwtSettings settings, TimeProvider time, ILogger<SigningKeyConfigurationManager> logger)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    private static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim gate = new(1, 1);
    private OpenIdConnectConfiguration? current;
    private DateTimeOffset fetchedAt;
    private DateTimeOffset expiresAt;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (current is not null && time.GetUtcNow() < expiresAt) return current;
        await gate.WaitAsync(cancel);
        try
        {
            if (current is not null && time.GetUtcNow() < expiresAt) return current;
            try
            {
                var configuration = new OpenIdConnectConfiguration { Issuer = settings.Issuer };
                foreach (var key in await source.GetSigningKeysAsync(cancel)) configuration.SigningKeys.Add(key);
                current = configuration;
                fetchedAt = time.GetUtcNow();
                expiresAt = fetchedAt + settings.KeyCacheDuration;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                // Identity briefly unreachable: keep the keys we have (none yet means every token
                // is refused with a 401, never a 500) and try again soon.
                logger.LogWarning(ex, "Could not fetch the token signing keys; keeping {Count} known key(s)", current?.SigningKeys.Count ?? 0);
                current ??= new OpenIdConnectConfiguration { Issuer = settings.Issuer };
                expiresAt = time.GetUtcNow() + MinimumRefreshInterval;
            }
            return current;
        }
        finally
        {
            gate.Release();
        }
    }

    public void RequestRefresh()
    {
        var earliest = fetchedAt + MinimumRefreshInterval;
        expiresAt = earliest > time.GetUtcNow() ? earliest : time.GetUtcNow();
    }
}
