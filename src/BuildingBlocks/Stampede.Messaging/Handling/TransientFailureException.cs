namespace Stampede.Messaging;

/// <summary>Thrown by a handler when it cannot do its work now for a reason outside the message (a
/// neighbour or the PG unreachable, a dependency answering 503): messaging tries the message again
/// with a growing wait for as long as it takes, and never dead-letters it for this. Database,
/// socket, timeout and unreachable-neighbour exceptions count as transient on their own; throw this
/// for what only the handler can tell.</summary>
public class TransientFailureException(string message, Exception? innerException = null) : Exception(message, innerException);
