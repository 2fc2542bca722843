namespace Stampede.Ordering.Orders;

public sealed record OrderLineView(Guid SkuId, string ProductName, string? OptionsLabel, int Quantity, long UnitPrice, long LineTotal);

public sealed record StatusChangeView(string Status, DateTimeOffset At, string Reason);

/// <summary>An order as its buyer (or an admin) reads it.</summary>
public sealed record OrderDetails(
    Guid OrderId, string OrderNumber, Guid UserId, string Status, IReadOnlyList<OrderLineView> Lines, long Total, string Currency,
    string? PaymentUrl, DateTimeOffset PaymentDeadline, IReadOnlyList<StatusChangeView> History, DateTimeOffset CreatedAt)
{
    public static OrderDetails From(Order order) => new(
        order.Id, order.OrderNumber, order.UserId, order.Status.ToString(),
        [.. order.Lines.Select(line => new OrderLineView(line.SkuId, line.ProductName, line.OptionsLabel, line.Quantity, line.UnitPrice, line.LineTotal))],
        order.Total, order.Currency, order.PaymentUrl, order.PaymentDeadline,
        [.. order.History.Select(change => new StatusChangeView(change.Status.ToString(), change.At, change.Reason))],
        order.CreatedAt);
}

/// <summary>One row of an order list.</summary>
public sealed record OrderSummary(Guid OrderId, string OrderNumber, Guid UserId, string Status, long Total, string Currency, DateTimeOffset CreatedAt);

public sealed record OrderPage(IReadOnlyList<OrderSummary> Items, int Page, int PageSize, long Total);
