using System.Text.Json;
using Dapper;
using Npgsql;
using Stampede.Contracts;
using Stampede.Inventory.Stock;

namespace Stampede.Inventory.Reservations;

public static class ReservationStatus
{
    public const string Held = "held";
    public const string Committed = "committed";
    public const string Released = "released";
    public const string Restocked = "restocked";
    public const string Rejected = "rejected";
}

/// <summary>Why a reservation left <see cref="ReservationStatus.Held"/>.</summary>
public static class ReservationOutcome
{
    public const string OrderPaid = "order-paid";
    public const string OrderExpired = "order-expired";
    public const string OrderFailed = "order-failed";
    public const string OrderCancelled = "order-cancelled";
    public const string ReservationExpired = "reservation-expired";
    public const string StockShort = "stock-short";
    public const string InvalidOrder = "invalid-order";
    public const string CommitFailed = "commit-failed";
}

public sealed record ReservationLine(Guid SkuId, int Quantity);

/// <summary>The stock held for one order. Its status only moves forward (held → committed →
/// restocked, or held → released), which is what makes every handler idempotent: an event that
/// finds the reservation past the state it acts on changes nothing.</summary>
public sealed record Reservation(Guid Id, Guid OrderId, string Status, DateTimeOffset ExpiresAt, IReadOnlyList<ReservationLine> Lines,
    string? Outcome)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string SelectSql = """
        SELECT id AS Id, order_id AS OrderId, status AS Status, expires_at AS ExpiresAt, lines::text AS Lines, outcome AS Outcome
        FROM reservations
        """;

    private const string InsertSql = """
        INSERT INTO reservations (id, order_id, status, expires_at, lines, outcome, created_at, updated_at)
        VALUES (@Id, @OrderId, @Status, @ExpiresAt, @Lines::jsonb, @Outcome, @At, @At)
        ON CONFLICT (order_id) DO NOTHING
        """;

    /// <summary>Locks and returns the reservation of <paramref name="orderId"/>, or null when there is none.</summary>
    public static async Task<Reservation?> LockAsync(NpgsqlTransaction transaction, Guid orderId, CancellationToken cancellationToken)
    {
        var row = await transaction.Connection!.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            SelectSql + " WHERE order_id = @orderId FOR UPDATE", new { orderId }, transaction, cancellationToken: cancellationToken));
        return row?.ToReservation();
    }

    /// <summary>Claims the next held reservation past its expiry that no one else is working on, or null.</summary>
    public static async Task<Reservation?> ClaimExpiredAsync(NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = await transaction.Connection!.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            SelectSql + " WHERE status = 'held' AND expires_at <= @now ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED",
            new { now }, transaction, cancellationToken: cancellationToken));
        return row?.ToReservation();
    }

    /// <summary>Inserts a new reservation; false when the order already has one (decided earlier,
    /// or by a transaction that was inserting it concurrently and committed).</summary>
    public static async Task<bool> TryInsertAsync(NpgsqlTransaction transaction, Reservation reservation, DateTimeOffset at,
        CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            reservation.Id,
            reservation.OrderId,
            reservation.Status,
            reservation.ExpiresAt,
            Lines = JsonSerializer.Serialize(reservation.Lines, Json),
            reservation.Outcome,
            At = at,
        }, transaction, cancellationToken: cancellationToken)) == 1;

    /// <summary>Locks the order's reservation; when there is none, records the order as released
    /// (no lines), so an OrderPlaced arriving after its compensation reserves nothing. Null means
    /// that record was written.</summary>
    public static async Task<Reservation?> LockOrCloseAsync(NpgsqlTransaction transaction, Guid orderId, string outcome, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await LockAsync(transaction, orderId, cancellationToken) is { } existing) return existing;
            var closed = new Reservation(Guid.CreateVersion7(), orderId, ReservationStatus.Released, at, [], outcome);
            if (await TryInsertAsync(transaction, closed, at, cancellationToken)) return null;
            // Lost the insert to a concurrent OrderPlaced that has now committed: lock what it wrote.
        }
    }

    /// <summary>Moves the reservation to <paramref name="status"/>; the row is locked by the caller.</summary>
    public async Task MoveToAsync(NpgsqlTransaction transaction, string status, string outcome, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var moved = await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE reservations SET status = @to, outcome = @outcome, updated_at = @at WHERE id = @id AND status = @from",
            new { to = status, outcome, at, id = Id, from = Status }, transaction, cancellationToken: cancellationToken));
        if (moved != 1) throw new InvalidOperationException($"Reservation {Id} is no longer {Status}.");
    }

    /// <summary>Held → released: the reserved units become available again.</summary>
    public async Task<IReadOnlyList<IntegrationEvent>> ReleaseAsync(NpgsqlTransaction transaction, string ledgerReason, string outcome,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        var levels = await ApplyAsync(transaction, Changes(onHand: 0, reserved: -1), new LedgerEntry(ledgerReason, outcome, OrderId, null, at),
            cancellationToken);
        await MoveToAsync(transaction, ReservationStatus.Released, outcome, at, cancellationToken);
        return Availability(levels);
    }

    /// <summary>Held → committed: the reserved units leave the shelf (sold).</summary>
    public async Task<IReadOnlyList<IntegrationEvent>> CommitAsync(NpgsqlTransaction transaction, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var levels = await ApplyAsync(transaction, Changes(onHand: -1, reserved: -1),
            new LedgerEntry(LedgerReason.Commit, ReservationOutcome.OrderPaid, OrderId, null, at), cancellationToken);
        await MoveToAsync(transaction, ReservationStatus.Committed, ReservationOutcome.OrderPaid, at, cancellationToken);
        return Availability(levels);
    }

    /// <summary>Changes of this reservation's lines, each quantity times the given signs.</summary>
    public IReadOnlyList<StockChange> Changes(int onHand, int reserved) =>
        [.. Lines.Select(line => new StockChange(line.SkuId, onHand * (long)line.Quantity, reserved * (long)line.Quantity))];

    /// <summary>Locks the lines' stock rows (in SKU order) and applies the changes with their ledger rows.</summary>
    public static async Task<IReadOnlyList<StockLevel>> ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StockChange> changes,
        LedgerEntry entry, CancellationToken cancellationToken)
    {
        await StockRows.LockAsync(transaction, changes.Select(change => change.SkuId), cancellationToken);
        return await StockRows.ApplyAsync(transaction, changes, entry, cancellationToken);
    }

    public static IReadOnlyList<IntegrationEvent> Availability(IEnumerable<StockLevel> levels) =>
        [.. levels.Select(level => level.AvailabilityChanged())];

    private sealed record Row(Guid Id, Guid OrderId, string Status, DateTime ExpiresAt, string Lines, string? Outcome)
    {
        public Reservation ToReservation() => new(Id, OrderId, Status, new DateTimeOffset(DateTime.SpecifyKind(ExpiresAt, DateTimeKind.Utc)),
            JsonSerializer.Deserialize<List<ReservationLine>>(Lines, Json) ?? [], Outcome);
    }
}
