using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.Ordering.Orders;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Ordering.Payments;

/// <summary>A payment session payment opened at the PG: where the buyer pays.</summary>
public sealed record PaymentSession(Guid PaymentId, string PaymentUrl);

/// <summary>Payment refused the session request as invalid (400/422): asking again cannot help.</summary>
public sealed class PaymentSessionRefusedException(string reason) : Exception(reason);

/// <summary>Asks payment to open a session for an order (<c>POST {Services:payment}/internal/payment-sessions</c>).
/// Payment keys the PG call on the order id, so asking twice for one order yields one session.
/// An answer that payment is unreachable or failing throws <see cref="HttpRequestException"/>, which
/// messaging retries; a refusal of the request itself throws <see cref="PaymentSessionRefusedException"/>.</summary>
public sealed class PaymentSessions(HttpClient http)
{
    /// <summary>The PG shows the order name to the buyer and accepts at most this many characters.</summary>
    public const int OrderNameLimit = 200;

    public async Task<PaymentSession> OpenAsync(Order order, CancellationToken cancellationToken)
    {
        // PayBy: the PG closes the checkout at the order's deadline, so no buyer pays an order already expired.
        var request = new OpenSessionRequest(order.Id, order.OrderNumber, order.Total, order.Currency, OrderName(order), order.UserId, order.PaymentDeadline);
        // Payment keys the session on the order id in the body, so a repeat (after a timeout, to another
        // instance) answers the same session.
        using var message = new HttpRequestMessage(HttpMethod.Post, "internal/payment-sessions") { Content = JsonContent.Create(request) }.Idempotent();
        using var response = await http.SendAsync(message, cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
            throw new PaymentSessionRefusedException(await RefusalAsync(response, cancellationToken));
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Payment answered {(int)response.StatusCode} to the session request of order {order.Id}.", null, response.StatusCode);
        var session = await response.Content.ReadFromJsonAsync<PaymentSession>(cancellationToken);
        return session is { PaymentUrl.Length: > 0 } && session.PaymentId != Guid.Empty
            ? session
            : throw new HttpRequestException($"Payment answered the session request of order {order.Id} without a paymentId and paymentUrl.");
    }

    /// <summary>What the buyer sees at the PG, e.g. "Linen shirt and 2 more", cut to what the PG accepts:
    /// the first product's name is shortened (ending in "…"), the count of the others is kept.</summary>
    public static string OrderName(Order order)
    {
        var first = order.Lines[0].ProductName is { Length: > 0 } name ? name.Trim() : order.OrderNumber;
        var others = order.Lines.Count == 1 ? "" : $" and {order.Lines.Count - 1} more";
        var room = OrderNameLimit - others.Length;
        if (first.Length > room)
        {
            var cut = room - 1;
            // Never split a surrogate pair: half a character is not text the PG accepts.
            if (char.IsHighSurrogate(first[cut - 1])) cut--;
            first = first[..cut].TrimEnd() + "…";
        }

        return first + others;
    }

    private static async Task<string> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        HttpValidationProblemDetails? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(cancellationToken);
        }
        catch (JsonException)
        {
            // Not a problem document: the status code says enough.
        }

        var fields = problem?.Errors is { Count: > 0 } errors
            ? string.Join("; ", errors.Select(error => $"{error.Key}: {string.Join(" ", error.Value)}"))
            : problem?.Detail ?? problem?.Title;
        return $"payment refused the session request ({(int)response.StatusCode}){(fields is null ? "" : $": {fields}")}";
    }

    private sealed record OpenSessionRequest(Guid OrderId, string OrderNumber, long Amount, string Currency, string OrderName, Guid UserId, DateTimeOffset PayBy);
}
