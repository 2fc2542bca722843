using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Messaging;
using Stampede.Ordering.Audit;
using Stampede.Ordering.Carts;
using Stampede.Ordering.Http;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Payments;
using Stampede.Ordering.Persistence;
using Stampede.Ordering.Pricing;
using Stampede.Ordering.Saga;
using Stampede.ServiceDefaults.Auth;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Ordering;

/// <summary>Marks the ordering assembly (for WebApplicationFactory and migrations).</summary>
public sealed class OrderingService;

/// <summary>All of ordering's wiring: settings, stores, neighbours over HTTP, the saga's events and
/// job, and every endpoint.</summary>
public static class OrderingModule
{
    public static WebApplicationBuilder AddOrderingModule(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrderingSettings>().BindConfiguration(OrderingSettings.Section)
            .Validate(settings => settings.PaymentDeadline > TimeSpan.Zero && settings.DeadlineJobInterval > TimeSpan.Zero,
                "Ordering:PaymentDeadline and Ordering:DeadlineJobInterval must be positive.")
            .ValidateOnStart();

        builder.Services.AddSingleton<OrderStore>();
        builder.Services.AddSingleton<CartStore>();
        // Prices are asked on the buyer's request: fail fast. A session is opened by a saga handler,
        // which messaging retries anyway.
        builder.Services.AddInternalClient<CatalogPrices>("catalog", calls =>
        {
            calls.Timeout = TimeSpan.FromSeconds(5);
            calls.AttemptTimeout = TimeSpan.FromSeconds(2);
            calls.RetryDelay = TimeSpan.FromMilliseconds(50);
        });
        builder.Services.AddInternalClient<PaymentSessions>("payment", calls =>
        {
            calls.Timeout = TimeSpan.FromSeconds(10);
            calls.AttemptTimeout = TimeSpan.FromSeconds(4);
        });
        builder.Services.AddHostedService<PaymentDeadlineJob>();

        builder.AddMessaging("ordering")
            .Publishes<OrderPlaced>()
            .Publishes<OrderPaid>()
            .Publishes<OrderExpired>()
            .Publishes<OrderFailed>()
            .Publishes<OrderCancelled>()
            .Publishes<RefundRequested>()
            .Handles<StockReserved, StockReservedHandler>()
            .Handles<StockRejected, StockRejectedHandler>()
            .Handles<StockCommitFailed, StockCommitFailedHandler>()
            .Handles<PaymentCaptured, PaymentCapturedHandler>()
            .Handles<PaymentFailed, PaymentFailedHandler>()
            .Handles<PaymentRefunded, PaymentRefundedHandler>();
        return builder;
    }

    public static WebApplication MapOrderingApi(this WebApplication app)
    {
        var cart = app.MapGroup("/cart").RequireAuthorization().AddEndpointFilter<CartStoreOutage>().WithTags("Cart");
        cart.MapGet("/", GetCart.HandleAsync);
        cart.MapDelete("/", ClearCart.HandleAsync);
        cart.MapPut("/items/{skuId}", SetCartItem.HandleAsync);
        cart.MapDelete("/items/{skuId}", RemoveCartItem.HandleAsync);

        var orders = app.MapGroup("/orders").RequireAuthorization().WithTags("Orders");
        orders.MapPost("/", PlaceOrder.HandleAsync).AddEndpointFilter<CartStoreOutage>();
        orders.MapGet("/", ListOrders.HandleAsync);
        orders.MapGet("/{id:guid}", GetOrder.HandleAsync);
        orders.MapPost("/{id:guid}/cancel", CancelOrder.HandleAsync);

        var admin = app.MapGroup("/admin/orders").RequireAuthorization(Policies.Admin).WithTags("Admin");
        admin.MapGet("/", ListOrders.HandleForAdminAsync);
        admin.MapGet("/{id:guid}", GetOrder.HandleForAdminAsync);
        app.MapGroup("/admin/audit").RequireAuthorization(Policies.Admin).WithTags("Admin").MapGet("/", AuditOrders.HandleAsync);

        // Service-to-service only: the gateway refuses /internal paths (see GetOrderForPayment).
        var @internal = app.MapGroup("/internal/orders").AllowAnonymous().WithTags("Internal");
        @internal.MapGet("/{id:guid}", GetOrderForPayment.HandleAsync);
        return app;
    }
}
