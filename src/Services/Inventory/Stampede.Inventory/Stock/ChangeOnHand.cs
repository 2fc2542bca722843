using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Inventory.Validation;
using Stampede.Messaging;

namespace Stampede.Inventory.Stock;

/// <summary>An admin's change of on-hand units (set, adjust, bulk set), all SKUs in one transaction.
/// It never takes units that are reserved: a change leaving on hand below reserved is refused whole.</summary>
public sealed class ChangeOnHand(NpgsqlDataSource dataSource, IOutbox outbox, TimeProvider time)
{
    /// <summary>Applies <paramref name="onHandAfter"/> to each SKU's current level (a SKU with no row
    /// yet starts at zero). Returns the levels after, or the reason the change was refused.</summary>
    public async Task<Result> ApplyAsync(IReadOnlyCollection<Guid> skuIds, Func<StockLevel, long> onHandAfter, string ledgerReason,
        string note, Guid actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await StockRows.EnsureExistAsync(transaction, skuIds, now, cancellationToken);
        var levels = await StockRows.LockAsync(transaction, skuIds, cancellationToken);

        var changes = new List<StockChange>();
        foreach (var level in levels.Values.OrderBy(level => level.SkuId))
        {
            var target = onHandAfter(level);
            if (target < level.Reserved)
                return Result.Refused($"SKU {level.SkuId} has {level.Reserved} unit(s) reserved; on hand cannot go below that (asked for {target}).");
            if (target > InputRules.MaxOnHand)
                return Result.Refused($"SKU {level.SkuId} would hold {target} units; at most {InputRules.MaxOnHand} are allowed.");
            if (target != level.OnHand) changes.Add(new StockChange(level.SkuId, target - level.OnHand, 0));
        }

        foreach (var changed in await StockRows.ApplyAsync(transaction, changes, new LedgerEntry(ledgerReason, note, null, actor, now), cancellationToken))
        {
            levels[changed.SkuId] = changed;
            await outbox.EnqueueAsync(changed.AvailabilityChanged(), transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return Result.Changed([.. skuIds.Select(skuId => levels[skuId])]);
    }

    public sealed record Result(IReadOnlyList<StockLevel> Levels, string? Refusal)
    {
        public static Result Changed(IReadOnlyList<StockLevel> levels) => new(levels, null);

        public static Result Refused(string why) => new([], why);

        public ProblemHttpResult RefusalProblem() =>
            TypedResults.Problem(Refusal, statusCode: StatusCodes.Status409Conflict, title: "Stock cannot change that way");
    }
}
