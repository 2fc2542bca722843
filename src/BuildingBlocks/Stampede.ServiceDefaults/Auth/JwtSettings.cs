namespace Stampede.ServiceDefaults.Auth;

/// <summary>How access tokens are checked (section <c>Jwt</c>). Identity issues them with the same
/// issuer and audience; every other service fetches identity's public keys from
/// <see cref="JwksUrl"/>.</summary>
public sealed record JwtSettings
{
    public const string Section = "Jwt";
    public string Issuer { get; init; } = "stampede-identity";
    public string Audience { get; init; } = "stampede";
    public string? JwksUrl { get; init; }
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long fetched keys are trusted before they are fetched again.</summary>
    public TimeSpan KeyCacheDuration { get; init; } = TimeSpan.FromMinutes(10);
}
