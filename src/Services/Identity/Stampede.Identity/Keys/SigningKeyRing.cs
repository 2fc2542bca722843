using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Keys;

/// <summary>Identity's RSA signing keys, kept in the <c>signing_keys</c> table so every instance
/// signs with the same key and publishes the same JWKS. A key is born pending (published, not yet
/// signing), so by the time a rotation makes it active every verifier has already fetched it; the
/// key it replaces stays published for <see cref="IdentitySettings.RetiredKeyGracePeriod"/>.
/// Identity also validates its own tokens with these keys (it is its own <see cref="ISigningKeySource"/>).</summary>
public sealed class SigningKeyRing(NpgsqlDataSource database, TimeProvider time, IdentitySettings settings, ILogger<SigningKeyRing> logger)
    : ISigningKeySource
{
    private const long KeyRingLockKey = 0x5354_4D50_4B45_59; // "STMPKEY"
    private const int KeySizeBits = 2048;

    // How soon a rotation made by another identity instance is seen here.
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LoadedKey> loadedKeys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim reloadGate = new(1, 1);
    private KeyRingSnapshot? snapshot;

    /// <summary>The credentials new access tokens are signed with (the active key).</summary>
    public async Task<SigningCredentials> GetSigningCredentialsAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Signing;

    /// <summary>Public halves of every key a verifier should accept: pending, active, and recently retired.</summary>
    public async Task<IReadOnlyList<RsaSecurityKey>> GetPublishedKeysAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Published;

    async Task<IReadOnlyCollection<SecurityKey>> ISigningKeySource.GetSigningKeysAsync(CancellationToken cancellationToken) =>
        [.. await GetPublishedKeysAsync(cancellationToken)];

    /// <summary>Creates the active and the pending key if they are missing (first start). Several
    /// instances starting together queue on an advisory lock, so exactly one creates them.</summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await LockedTransactionAsync(connection, cancellationToken))
        {
            var counts = await connection.QuerySingleAsync<(long Active, long Pending)>(new CommandDefinition("""
                SELECT count(*) FILTER (WHERE activated_at IS NOT NULL AND retired_at IS NULL),
                       count(*) FILTER (WHERE activated_at IS NULL AND retired_at IS NULL)
                FROM signing_keys
                """, transaction: transaction, cancellationToken: cancellationToken));
            var now = time.GetUtcNow();
            if (counts.Active == 0) await InsertKeyAsync(connection, transaction, now, activatedAt: now, cancellationToken);
            if (counts.Pending == 0) await InsertKeyAsync(connection, transaction, now, activatedAt: null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (counts.Active == 0) logger.LogInformation("Created the first signing keys");
        }
        await ReloadAsync(cancellationToken);
    }

    /// <summary>Retires the active key, activates the pending one and creates the next pending key.
    /// Tokens signed with the retired key stay valid until they expire.</summary>
    public async Task<string> RotateAsync(CancellationToken cancellationToken)
    {
        string activeKid;
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await LockedTransactionAsync(connection, cancellationToken))
        {
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE signing_keys SET retired_at = @now WHERE activated_at IS NOT NULL AND retired_at IS NULL",
                new { now }, transaction, cancellationToken: cancellationToken));
            activeKid = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
                UPDATE signing_keys SET activated_at = @now
                WHERE kid = (SELECT kid FROM signing_keys WHERE activated_at IS NULL AND retired_at IS NULL
                             ORDER BY created_at LIMIT 1)
                RETURNING kid
                """, new { now }, transaction, cancellationToken: cancellationToken))
                ?? await InsertKeyAsync(connection, transaction, now, activatedAt: now, cancellationToken);
            await InsertKeyAsync(connection, transaction, now, activatedAt: null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        logger.LogInformation("Rotated signing keys; {Kid} now signs access tokens", activeKid);
        await ReloadAsync(cancellationToken);
        return activeKid;
    }

    /// <summary>Every key still published, newest first, for operators.</summary>
    public async Task<IReadOnlyList<SigningKeyState>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition("""
            SELECT kid, private_key, created_at, activated_at, retired_at
            FROM signing_keys WHERE retired_at IS NULL OR retired_at > @cutoff ORDER BY created_at DESC
            """, new { cutoff = time.GetUtcNow() - settings.RetiredKeyGracePeriod }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new SigningKeyState(r.Kid, r.State, r.CreatedAt, r.ActivatedAt, r.RetiredAt))];
    }

    private async Task<KeyRingSnapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref snapshot);
        if (current is not null && time.GetUtcNow() - current.LoadedAt < ReloadInterval) return current;
        try
        {
            return await ReloadAsync(cancellationToken);
        }
        catch (Exception ex) when (current is not null && ex is NpgsqlException or TimeoutException)
        {
            // The database blinked: keep signing and validating with the keys we have.
            logger.LogWarning(ex, "Could not reload signing keys; using the ones loaded at {LoadedAt}", current.LoadedAt);
            return current;
        }
    }

    private async Task<KeyRingSnapshot> ReloadAsync(CancellationToken cancellationToken)
    {
        await reloadGate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<KeyRow>(new CommandDefinition("""
                SELECT kid, private_key, created_at, activated_at, retired_at
                FROM signing_keys WHERE retired_at IS NULL OR retired_at > @cutoff ORDER BY created_at
                """, new { cutoff = now - settings.RetiredKeyGracePeriod }, cancellationToken: cancellationToken))).ToList();
            var active = rows.Where(r => r.State == "active").MaxBy(r => r.ActivatedAt)
                ?? throw new InvalidOperationException("The key ring has no active signing key; EnsureKeysAsync has not run.");
            var signingKey = Load(active).Private;
            var loaded = new KeyRingSnapshot(
                new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
                [.. rows.Select(r => Load(r).Public)],
                now);
            Volatile.Write(ref snapshot, loaded);
            return loaded;
        }
        finally
        {
            reloadGate.Release();
        }
    }

    // RSA objects are kept for the life of the process: a token being signed on another thread may
    // still hold the one a reload would otherwise replace.
    private LoadedKey Load(KeyRow row) => loadedKeys.GetOrAdd(row.Kid, kid =>
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(row.PrivateKey, out _);
        return new LoadedKey(
            new RsaSecurityKey(rsa) { KeyId = kid },
            new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: false)) { KeyId = kid });
    });

    private static async Task<NpgsqlTransaction> LockedTransactionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@KeyRingLockKey)",
            new { KeyRingLockKey }, transaction, cancellationToken: cancellationToken));
        return transaction;
    }

    private static async Task<string> InsertKeyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        DateTimeOffset now, DateTimeOffset? activatedAt, CancellationToken cancellationToken)
    {
        using var rsa = RSA.Create(KeySizeBits);
        var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO signing_keys (kid, private_key, created_at, activated_at) VALUES (@kid, @privateKey, @now, @activatedAt)
            """, new { kid, privateKey = rsa.ExportPkcs8PrivateKey(), now, activatedAt }, transaction, cancellationToken: cancellationToken));
        return kid;
    }

    private sealed record KeyRow(string Kid, byte[] PrivateKey, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, DateTimeOffset? RetiredAt)
    {
        public string State => RetiredAt is not null ? "retired" : ActivatedAt is not null ? "active" : "pending";
    }

    private sealed record LoadedKey(RsaSecurityKey Private, RsaSecurityKey Public);

    private sealed record KeyRingSnapshot(SigningCredentials Signing, IReadOnlyList<RsaSecurityKey> Published, DateTimeOffset LoadedAt);
}

/// <summary>A published signing key as operators see it: <c>pending</c>, <c>active</c> or <c>retired</c>.</summary>
public sealed record SigningKeyState(string Kid, string State, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, DateTimeOffset? RetiredAt);

/// <summary>Makes sure the key ring exists before the service takes requests.</summary>
internal sealed class SigningKeyInitializer(SigningKeyRing ring) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => ring.EnsureKeysAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
