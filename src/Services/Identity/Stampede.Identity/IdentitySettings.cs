namespace Stampede.Identity;

/// <summary>Identity's tunables, bound from the <c>Identity</c> configuration section.</summary>
public sealed record IdentitySettings
{
    public const string Section = "Identity";

    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Also keep sent verification codes in the log and the <c>/dev/mailbox</c> endpoint.
    /// Defaults to on in the Development environment only.</summary>
    public bool DevMailbox { get; init; }

    public TimeSpan VerificationCodeLifetime { get; init; } = TimeSpan.FromMinutes(10);
    public int VerificationCodeMaxAttempts { get; init; } = 5;
    public TimeSpan VerificationResendInterval { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan LoginFailureWindow { get; init; } = TimeSpan.FromMinutes(15);
    public int MaxLoginFailuresPerAccount { get; init; } = 5;
    public int MaxLoginFailuresPerIp { get; init; } = 20;

    /// <summary>Sign-ups admitted per client network (an IPv4 address or an IPv6 /64) within
    /// <see cref="SignUpWindow"/>; attempts past it answer 429. The launcher and the tests, which sign
    /// up many users from 127.0.0.1, set it high.</summary>
    public int MaxSignUpsPerIp { get; init; } = 10;
    public TimeSpan SignUpWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Sign-up password hashes that may run at once; defaults to the number of cores.</summary>
    public int SignUpHashConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>How long a sign-up waits for a hashing slot before it answers 503 with Retry-After.</summary>
    public TimeSpan SignUpHashQueueTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a retired signing key stays in the JWKS, so tokens it signed keep working
    /// until they expire. Must exceed <see cref="AccessTokenLifetime"/>.</summary>
    public TimeSpan RetiredKeyGracePeriod { get; init; } = TimeSpan.FromDays(1);

    public int MaxAddressesPerUser { get; init; } = 20;

    /// <summary>The operator account ensured at start-up when both email and password are set.</summary>
    public AdminAccountSettings Admin { get; init; } = new();

    public static IdentitySettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(Section);
        var settings = section.Get<IdentitySettings>() ?? new IdentitySettings();
        if (settings.AccessTokenLifetime <= TimeSpan.Zero || settings.RetiredKeyGracePeriod <= settings.AccessTokenLifetime)
            throw new InvalidOperationException("Identity:RetiredKeyGracePeriod must be longer than Identity:AccessTokenLifetime (and both positive), or tokens would outlive their key.");
        if (settings.MaxSignUpsPerIp < 1 || settings.SignUpWindow <= TimeSpan.Zero || settings.SignUpHashConcurrency < 1 || settings.SignUpHashQueueTimeout < TimeSpan.Zero)
            throw new InvalidOperationException("Identity:MaxSignUpsPerIp, SignUpWindow and SignUpHashConcurrency must be positive, SignUpHashQueueTimeout not negative.");
        return settings with { DevMailbox = section.GetValue<bool?>(nameof(DevMailbox)) ?? environment.IsDevelopment() };
    }
}

public sealed record AdminAccountSettings
{
    public string? Email { get; init; }
    public string? Password { get; init; }
    public string Name { get; init; } = "Administrator";
}
