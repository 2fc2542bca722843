namespace Stampede.Payment.Ledger;

/// <summary>What a ledger row records.</summary>
public static class LedgerKind
{
    /// <summary>The buyer approved the amount at the PG (came back to the shop with it, or the PG
    /// reported a capture that implies it).</summary>
    public const string Authorised = "authorised";
    public const string Captured = "captured";
    public const string Refunded = "refunded";
    /// <summary>The session was closed before any money moved (the order expired or was cancelled).</summary>
    public const string Voided = "voided";
}

/// <summary>One row of a payment's ledger: append-only, in the order things happened.</summary>
public sealed record LedgerEntry(string Kind, long Amount, DateTimeOffset At, string? PgTransactionKey, string? Reason);
