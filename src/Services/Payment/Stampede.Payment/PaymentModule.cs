using Microsoft.Extensions.Options;
using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Messaging;
using Stampede.Payment.Audit;
using Stampede.Payment.Payments;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;
using Stampede.Payment.Refunds;
using Stampede.Payment.Returns;
using Stampede.Payment.Sessions;
using Stampede.Payment.Webhooks;
using Stampede.ServiceDefaults.Auth;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Payment;

/// <summary>Marks the payment assembly (for WebApplicationFactory and migrations).</summary>
public sealed class PaymentService;

/// <summary>All of payment's wiring: settings, the PG client, the store, the events it publishes and
/// handles, and every endpoint.</summary>
public static class PaymentModule
{
    public static WebApplicationBuilder AddPaymentModule(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PaymentSettings>().BindConfiguration(PaymentSettings.Section)
            .Validate(settings => IsHttpUrl(settings.PublicBaseUrl) && IsHttpUrl(settings.WebhookBaseUrl) && settings.WebhookTolerance > TimeSpan.Zero,
                "Payment:PublicBaseUrl and Payment:WebhookBaseUrl must be absolute http(s) URLs and Payment:WebhookTolerance positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<PgSettings>().BindConfiguration(PgSettings.Section)
            .Validate(settings => IsHttpUrl(settings.BaseUrl) && settings.SecretKey.Length > 0 && settings.WebhookSecret.Length > 0
                && settings.Timeout > TimeSpan.Zero && settings.ConfirmTimeout > TimeSpan.Zero,
                "Pg:BaseUrl must be an absolute http(s) URL, Pg:SecretKey and Pg:WebhookSecret set, and the Pg timeouts positive.")
            .ValidateOnStart();

        // One external address, through the same pipeline as the calls between services.
        builder.Services.AddHttpClient<PgClient>((services, http) => PgClient.Authorize(http, services.GetRequiredService<IOptions<PgSettings>>().Value))
            .AddResilientCalls("pg", $"{PgSettings.Section}:BaseUrl", services => services.GetRequiredService<IOptions<PgSettings>>().Value.BaseUrl,
                // Each call sets its own total timeout (Pg:Timeout, Pg:ConfirmTimeout); a read's attempt gets less.
                calls => calls.AttemptTimeout = TimeSpan.FromSeconds(2));
        builder.Services.AddSingleton<PaymentStore>();
        builder.Services.AddScoped<PaymentReconciliation>();
        builder.Services.AddScoped<RefundPayment>();
        builder.Services.AddScoped<VoidSession>();

        builder.AddMessaging("payment")
            .Publishes<PaymentCaptured>()
            .Publishes<PaymentFailed>()
            .Publishes<PaymentRefunded>()
            .Handles<OrderCancelled, OrderCancelledHandler>()
            .Handles<RefundRequested, RefundRequestedHandler>()
            .Handles<OrderExpired, OrderExpiredHandler>();
        return builder;
    }

    public static WebApplication MapPaymentApi(this WebApplication app)
    {
        // Service-to-service only: the gateway refuses /internal paths (see OpenPaymentSession).
        app.MapGroup("/internal/payment-sessions").AllowAnonymous().WithTags("Internal")
            .MapPost("/", OpenPaymentSession.HandleAsync);

        // The buyer's browser and the PG carry no token: these prove themselves otherwise.
        var pgFacing = app.MapGroup("/payments").AllowAnonymous().WithTags("PG");
        pgFacing.MapGet("/return/success", PaymentReturn.SuccessAsync);
        pgFacing.MapGet("/return/fail", PaymentReturn.FailAsync);
        pgFacing.MapPost("/webhooks/pg", PgWebhook.HandleAsync);

        app.MapGroup("/payments").RequireAuthorization().WithTags("Payments")
            .MapGet("/orders/{orderId:guid}", GetPayments.ForOrderAsync);
        app.MapGroup("/admin/payments").RequireAuthorization(Policies.Admin).WithTags("Admin")
            .MapGet("/", GetPayments.ListAsync);
        app.MapGroup("/admin/audit").RequireAuthorization(Policies.Admin).WithTags("Admin")
            .MapGet("/", AuditPayments.HandleAsync);
        return app;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
