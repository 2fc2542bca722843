using System.Text;

namespace Stampede.Messaging;

/// <summary>Headers the building block puts on messages besides the AMQP properties
/// (message id = event id, type = event name).</summary>
public static class MessageHeaders
{
    /// <summary>Retries so far (absent on the first delivery).</summary>
    public const string Attempt = "stampede-attempt";

    /// <summary>Transient retries in a row so far, which picks the next transient delay; absent
    /// before the first and reset by a handler failure.</summary>
    public const string TransientAttempt = "stampede-transient-attempt";

    /// <summary>On a dead letter: the subscription queue it came from, where a replay sends it back.</summary>
    public const string Queue = "stampede-queue";

    /// <summary>On a dead letter: <c>failed</c> (retries used up), <c>poison</c> (unreadable) or
    /// <c>delivery-limit</c> (the broker gave up handing it out).</summary>
    public const string Reason = "stampede-reason";

    /// <summary>On a dead letter: the exception text of the last failure.</summary>
    public const string Error = "stampede-error";

    /// <summary>On a dead letter: when it was dead-lettered (ISO 8601).</summary>
    public const string FailedAt = "stampede-failed-at";

    internal static string? ReadString(IDictionary<string, object?>? headers, string key) =>
        headers is not null && headers.TryGetValue(key, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string text => text,
            null => null,
            _ => value.ToString(),
        } : null;

    internal static int ReadInt(IDictionary<string, object?>? headers, string key) =>
        headers is not null && headers.TryGetValue(key, out var value) ? value switch
        {
            int number => number,
            long number => (int)number,
            byte[] bytes when int.TryParse(Encoding.UTF8.GetString(bytes), out var parsed) => parsed,
            _ => 0,
        } : 0;
}
