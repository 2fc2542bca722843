namespace Stampede.Ordering.Orders;

/// <summary>An invariant of the order aggregate, named so callers and tests can tell which one broke.</summary>
public sealed record OrderRule(string Name, string Message);

/// <summary>The transitions an order refuses.</summary>
public static class OrderRules
{
    public static readonly OrderRule StockIsReservedOnlyWhileAwaitingStock = new(
        nameof(StockIsReservedOnlyWhileAwaitingStock), "Stock can only be reserved for an order awaiting stock.");

    public static readonly OrderRule StockIsRejectedOnlyWhileAwaitingStock = new(
        nameof(StockIsRejectedOnlyWhileAwaitingStock), "Stock can only be rejected for an order awaiting stock.");

    public static readonly OrderRule PaymentSessionOpensOnlyWhileAwaitingPayment = new(
        nameof(PaymentSessionOpensOnlyWhileAwaitingPayment), "A payment session can only be attached to an order awaiting payment.");

    public static readonly OrderRule PaymentFailsOnlyWhileAwaitingPayment = new(
        nameof(PaymentFailsOnlyWhileAwaitingPayment), "Only an order awaiting payment can fail its payment.");

    public static readonly OrderRule OnlyAnUnpaidOrderExpires = new(
        nameof(OnlyAnUnpaidOrderExpires), "Only an order awaiting stock or payment can expire.");

    public static readonly OrderRule AnOrderExpiresOnlyAfterItsDeadline = new(
        nameof(AnOrderExpiresOnlyAfterItsDeadline), "The order's payment deadline has not passed yet.");

    public static readonly OrderRule OnlyAnUnpaidOrPaidOrderCanBeCancelled = new(
        nameof(OnlyAnUnpaidOrPaidOrderCanBeCancelled), "Only an order awaiting stock or payment, or a paid order, can be cancelled.");

    public static readonly OrderRule OnlyAPaidOrderFailsItsFulfilment = new(
        nameof(OnlyAPaidOrderFailsItsFulfilment), "Only a paid order can fail to receive its stock.");

    public static readonly OrderRule AnOrderHasLines = new(
        nameof(AnOrderHasLines), "An order needs at least one line.");
}

/// <summary>Thrown when a transition would break an <see cref="OrderRule"/>; nothing changed.</summary>
public sealed class OrderRuleBrokenException(OrderRule rule, OrderStatus status)
    : InvalidOperationException($"{rule.Message} (the order is {status})")
{
    public OrderRule Rule { get; } = rule;

    public OrderStatus Status { get; } = status;
}
