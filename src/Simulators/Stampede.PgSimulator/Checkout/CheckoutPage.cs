using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.PgSimulator.Payments;

namespace Stampede.PgSimulator.Checkout;

/// <summary><c>GET /checkout/{paymentKey}</c>: the page the buyer lands on, with the order and
/// two buttons that post the buyer's answer. Self-contained: no scripts, no external assets.</summary>
public static class CheckoutPage
{
    public static RouteGroupBuilder MapCheckout(this RouteGroupBuilder checkout)
    {
        checkout.MapGet("/{paymentKey}", Show);
        checkout.MapPost("/{paymentKey}/approve", AnswerCheckout.Approve);
        checkout.MapPost("/{paymentKey}/decline", AnswerCheckout.Decline);
        return checkout;
    }

    public static ContentHttpResult Show(string paymentKey, HttpResponse response, PaymentStore payments)
    {
        response.Headers.CacheControl = "no-store";
        if (!RequestRules.IsPaymentKeyShaped(paymentKey) || payments.Find(paymentKey) is not { } payment)
            return Page("Payment not found", "<p>There is no payment at this address.</p>", StatusCodes.Status404NotFound);

        var view = payments.Read(payment);
        var body = new StringBuilder()
            .Append("<p class=\"name\">").Append(Html(view.OrderName)).Append("</p>")
            .Append("<p class=\"amount\">").Append(Krw(view.TotalAmount)).Append("</p>")
            .Append("<p class=\"meta\">Order ").Append(Html(view.OrderId)).Append("</p>");
        if (view.Status == PaymentStatus.Ready)
            body.Append("<form method=\"post\" action=\"").Append(Html(view.CheckoutUrl)).Append("/approve\">")
                .Append("<button class=\"approve\" type=\"submit\">Approve</button></form>")
                .Append("<form method=\"post\" action=\"").Append(Html(view.CheckoutUrl)).Append("/decline\">")
                .Append("<button class=\"decline\" type=\"submit\">Decline</button></form>");
        else
            body.Append("<p class=\"status\">This payment is ").Append(PaymentView.StatusName(view.Status)).Append(".</p>");
        return Page("Stampede PG checkout", body.ToString(), StatusCodes.Status200OK);
    }

    /// <summary>Won as Koreans read it: no minor unit, thousands grouped.</summary>
    public static string Krw(long amount) => "₩" + amount.ToString("N0", CultureInfo.InvariantCulture);

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private static ContentHttpResult Page(string title, string body, int status) => TypedResults.Content(
        $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Html(title)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; background: #f2f4f6; margin: 0; }
        main { max-width: 22rem; margin: 4rem auto; background: #fff; border-radius: 1rem; padding: 2rem; box-shadow: 0 2px 12px #0001; }
        h1 { font-size: 1rem; color: #4e5968; margin: 0 0 1rem; }
        .name { font-size: 1.1rem; margin: 0; }
        .amount { font-size: 2rem; font-weight: 700; margin: .5rem 0; }
        .meta { color: #8b95a1; font-size: .85rem; }
        form { display: inline; }
        button { font-size: 1rem; border: 0; border-radius: .5rem; padding: .75rem 1.5rem; margin: 1rem .5rem 0 0; cursor: pointer; }
        .approve { background: #3182f6; color: #fff; }
        .decline { background: #e5e8eb; color: #333d4b; }
        </style>
        </head>
        <body><main><h1>{{Html(title)}}</h1>{{body}}</main></body>
        </html>
        """,
        "text/html; charset=utf-8",
        statusCode: status);
}
