using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Stampede.PgSimulator.Payments;

namespace Stampede.PgSimulator.Checkout;

/// <summary>Where the buyer goes after answering the checkout, for a client that asked for JSON
/// (tests and the CLI) instead of a redirect. <c>code</c> and <c>message</c> are set when the
/// payment failed.</summary>
public sealed record CheckoutAnswer(string RedirectUrl, string PaymentKey, string OrderId, long Amount, PaymentStatus Status, string? Code, string? Message)
{
    /// <summary>Back to the shop: the success URL with Toss's <c>paymentKey</c>, <c>orderId</c> and
    /// <c>amount</c>, or the fail URL with <c>code</c>, <c>message</c> and <c>orderId</c>.</summary>
    public static CheckoutAnswer For(Payment payment)
    {
        if (payment.Failure is { } failure)
            return new CheckoutAnswer(
                QueryHelpers.AddQueryString(payment.FailUrl, new Dictionary<string, string?>
                {
                    ["code"] = failure.Code,
                    ["message"] = failure.Message,
                    ["orderId"] = payment.OrderId,
                }),
                payment.PaymentKey, payment.OrderId, payment.TotalAmount, payment.Status, failure.Code, failure.Message);
        return new CheckoutAnswer(
            QueryHelpers.AddQueryString(payment.SuccessUrl, new Dictionary<string, string?>
            {
                ["paymentKey"] = payment.PaymentKey,
                ["orderId"] = payment.OrderId,
                ["amount"] = payment.TotalAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
            payment.PaymentKey, payment.OrderId, payment.TotalAmount, payment.Status, null, null);
    }

    public static bool WantsJson(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
}

/// <summary>303 See Other: after a form POST the browser follows with a GET.</summary>
public sealed class SeeOther(string location) : IResult, IStatusCodeHttpResult
{
    public string Location { get; } = location;

    public int? StatusCode => StatusCodes.Status303SeeOther;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers[HeaderNames.Location] = Location;
        return Task.CompletedTask;
    }
}
