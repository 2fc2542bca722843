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

    /// <summary>Base64 server secret for hashing verification codes; required outside Development and
    /// Testing (there, one is generated when unset).</summary>
    public string? VerificationCodeKey { get; init; }

    /// <summary>Whether sent codes are also written to the log: in the Development environment only, never configurable.</summary>
    public bool LogVerificationCodes { get; init; }

    /// <summary>How long after the relay sent a <c>VerificationCodeIssued</c> event its outbox row keeps the
    /// plain code (a broker-level redelivery needs no more); then the code is blanked.</summary>
    public TimeSpan SentCodeRetention { get; init; } = TimeSpan.FromMinutes(5);

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

    /// <summary>Sign-up password hashes that may run at once; defaults to the cores less one (at least
    /// one), so a sign-up burst always leaves a core to logins and everything else. Measured on 2 cores
    /// under 48 parallel sign-ups: logins took ~4 s unbounded, ~1 s with 2 slots, ~0.25 s with 1.</summary>
    public int SignUpHashConcurrency { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);

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
        var generatesSecrets = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        if (string.IsNullOrWhiteSpace(settings.VerificationCodeKey))
        {
            if (!generatesSecrets)
                throw new InvalidOperationException($"Identity:VerificationCodeKey is required in the {environment.EnvironmentName} environment (base64 of at least 32 random bytes, e.g. `openssl rand -base64 32`).");
            settings = settings with { VerificationCodeKey = null };
        }
        else
        {
            Users.VerificationCodeKey.Decode(settings.VerificationCodeKey);
        }
        return settings with
        {
            DevMailbox = section.GetValue<bool?>(nameof(DevMailbox)) ?? environment.IsDevelopment(),
            LogVerificationCodes = environment.IsDevelopment(),
        };
    }
}

public sealed record AdminAccountSettings
{
    public string? Email { get; init; }
    public string? Password { get; init; }
    public string Name { get; init; } = "Administrator";
}
