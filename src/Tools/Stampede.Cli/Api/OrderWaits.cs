using System.Diagnostics;

namespace Stampede.Cli.Api;

/// <summary>Polls an order until the saga has moved it where the caller needs it.</summary>
public static class OrderWaits
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> Final = ["Paid", "Cancelled", "Expired", "Rejected", "Failed"];

    /// <summary>Until the order awaits payment with a checkout URL; fails when it ends anywhere else first.</summary>
    public static Task<OrderDetails> PaymentUrlAsync(StampedeApi api, Guid orderId, TimeSpan interval, TimeSpan timeout, CancellationToken ct) =>
        UntilAsync(api, orderId, o => o.Status == "AwaitingPayment" && !string.IsNullOrEmpty(o.PaymentUrl), "awaiting payment with a payment URL",
            interval, timeout, ct);

    public static Task<OrderDetails> StatusAsync(StampedeApi api, Guid orderId, string status, TimeSpan interval, TimeSpan timeout, CancellationToken ct) =>
        UntilAsync(api, orderId, o => o.Status == status, status, interval, timeout, ct);

    private static async Task<OrderDetails> UntilAsync(
        StampedeApi api, Guid orderId, Func<OrderDetails, bool> reached, string wanted, TimeSpan interval, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var order = await api.GetOrderAsync(orderId, ct);
            if (reached(order)) return order;
            if (Final.Contains(order.Status))
            {
                throw new OrderStuckException(
                    $"Order {order.OrderNumber} ended {order.Status} ({order.History.LastOrDefault()?.Reason ?? "no reason recorded"}) instead of {wanted}.");
            }

            if (clock.Elapsed >= timeout)
            {
                throw new OrderStuckException(
                    $"Order {order.OrderNumber} was still {order.Status} after {timeout.TotalSeconds:0} s, waiting for {wanted}.", timedOut: true);
            }

            await Task.Delay(interval, ct);
        }
    }
}

/// <summary>An order that ended elsewhere than expected, or did not get there in time.</summary>
public sealed class OrderStuckException(string message, bool timedOut = false) : UserFacingException(message)
{
    public bool TimedOut => timedOut;
}
