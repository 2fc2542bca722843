namespace Stampede.Identity.Users;

/// <summary>Bounds how many sign-up password hashes run at once (each is ~100 ms of one core), so a
/// burst of anonymous sign-ups queues here instead of taking every core from logins and the rest.</summary>
public sealed class HashingGate(IdentitySettings settings, Passwords passwords) : IDisposable
{
    private readonly SemaphoreSlim slots = new(settings.SignUpHashConcurrency, settings.SignUpHashConcurrency);

    /// <summary>The hash, or null when no slot freed up within <see cref="IdentitySettings.SignUpHashQueueTimeout"/>.</summary>
    public async Task<string?> TryHashAsync(string password, CancellationToken cancellationToken)
    {
        if (!await slots.WaitAsync(settings.SignUpHashQueueTimeout, cancellationToken)) return null;
        try
        {
            return passwords.Hash(password);
        }
        finally
        {
            slots.Release();
        }
    }

    public void Dispose() => slots.Dispose();
}
