using System.Net.Http.Json;
using Stampede.Ordering.Orders;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Ordering.Payments;

/// <summary>A payment session payment opened at the PG: where the buyer pays.</summary>
public sealed record PaymentSession(Guid PaymentId, string PaymentUrl);

/// <summary>Asks payment to open a session for an order (<c>POST {Services:payment}/internal/payment-sessions</c>).
/// Payment keys the PG call on the order id, so asking twice for one order yields one session.
/// Failures throw: the saga handler that calls this is retried by messaging.</summary>
public sealed class PaymentSessions(HttpClient http)
{
    public async Task<PaymentSession> OpenAsync(Order order, CancellationToken cancellationToken)
    {
        var request = new OpenSessionRequest(order.Id, order.OrderNumber, order.Total, order.Currency, OrderName(order), order.UserId);
        // Payment keys the session on the order id in the body, so a repeat (after a timeout, to another
        // instance) answers the same session.
        using var message = new HttpRequestMessage(HttpMethod.Post, "internal/payment-sessions") { Content = JsonContent.Create(request) }.Idempotent();
        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Payment answered {(int)response.StatusCode} to the session request of order {order.Id}.", null, response.StatusCode);
        var session = await response.Content.ReadFromJsonAsync<PaymentSession>(cancellationToken);
        return session is { PaymentUrl.Length: > 0 } && session.PaymentId != Guid.Empty
            ? session
            : throw new HttpRequestException($"Payment answered the session request of order {order.Id} without a paymentId and paymentUrl.");
    }

    /// <summary>What the buyer sees at the PG, e.g. "Linen shirt and 2 more".</summary>
    public static string OrderName(Order order)
    {
        var first = order.Lines[0].ProductName is { Length: > 0 } name ? name : order.OrderNumber;
        return order.Lines.Count == 1 ? first : $"{first} and {order.Lines.Count - 1} more";
    }

    private sealed record OpenSessionRequest(Guid OrderId, string OrderNumber, long Amount, string Currency, string OrderName, Guid UserId);
}
