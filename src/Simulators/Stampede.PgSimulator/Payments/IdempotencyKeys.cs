using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stampede.PgSimulator.Payments;

/// <summary>The <c>Idempotency-Key</c> header of the merchant API, Toss-style: a key used again
/// with the same request answers the first success again without doing anything; with another
/// request it is a 422. Only successes are remembered, so a request that failed (a 5xx, a refused
/// amount) can be retried with its key. A retry that arrives while the first is still running
/// gets 409 <c>IDEMPOTENT_REQUEST_PROCESSING</c> instead of running twice.</summary>
public sealed class IdempotencyKeys
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxLength = 300;

    private readonly ConcurrentDictionary<(string Scope, string Key), Entry> entries = new();

    private sealed class Entry(string fingerprint)
    {
        public string Fingerprint { get; } = fingerprint;
        private object? response;

        public object? Response
        {
            get => Volatile.Read(ref response);
            set => Volatile.Write(ref response, value);
        }
    }

    /// <summary>The key of a request, or an error naming the header; no header is no key.</summary>
    public static Outcome<string?> Read(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(HeaderName, out var values)) return new Outcome<string?>(null, null);
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > MaxLength || key.Any(char.IsControl))
            return PgError.Field(400, PgErrorCodes.InvalidRequest, HeaderName, $"The {HeaderName} header must be one value of 1 to {MaxLength} characters.");
        return key;
    }

    /// <summary>Runs <paramref name="operation"/> once per key and request; <paramref name="scope"/>
    /// separates the endpoints, <paramref name="request"/> is what must be the same on a retry.</summary>
    public async Task<Outcome<T>> RunAsync<T>(string scope, string? key, object request, Func<Task<Outcome<T>>> operation)
    {
        if (key is null) return await operation();
        var entry = new Entry(Fingerprint(request));
        var existing = entries.GetOrAdd((scope, key), entry);
        if (existing != entry)
        {
            if (existing.Fingerprint != entry.Fingerprint)
                return new PgError(422, PgErrorCodes.IdempotencyKeyReused, $"This {HeaderName} was already used with a different request.");
            return existing.Response is T response
                ? response
                : new PgError(409, PgErrorCodes.IdempotentRequestProcessing, $"A request with this {HeaderName} is still being processed; retry later.");
        }
        try
        {
            var outcome = await operation();
            if (outcome.Succeeded) entry.Response = outcome.Value;
            else entries.TryRemove(new KeyValuePair<(string, string), Entry>((scope, key), entry));
            return outcome;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<(string, string), Entry>((scope, key), entry));
            throw;
        }
    }

    private static string Fingerprint(object request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, request.GetType(), JsonSerializerOptions.Web))));
}
