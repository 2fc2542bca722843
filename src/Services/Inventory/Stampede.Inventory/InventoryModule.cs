using Stampede.Contracts.Inventory;
using Stampede.Inventory.Audit;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Reservations;
using Stampede.Inventory.Stock;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Inventory;

/// <summary>Marker type of the inventory service assembly (for WebApplicationFactory and migrations).</summary>
public sealed class InventoryService;

/// <summary>All of inventory's wiring: settings, events in and out, the expiry job, endpoints.</summary>
public static class InventoryModule
{
    public static WebApplicationBuilder AddInventoryModule(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<InventorySettings>()
            .Bind(builder.Configuration.GetSection(InventorySettings.Section))
            .Validate(s => s.ReservationGrace >= TimeSpan.Zero, "Inventory:ReservationGrace cannot be negative.")
            .Validate(s => s.ExpirySweepInterval > TimeSpan.Zero, "Inventory:ExpirySweepInterval must be positive.")
            .ValidateOnStart();

        builder.AddMessaging("inventory")
            .Publishes<StockReserved>()
            .Publishes<StockRejected>()
            .Publishes<StockAvailabilityChanged>()
            .Publishes<StockCommitFailed>()
            .Handles<OrderPlaced, ReserveStock>()
            .Handles<OrderPaid, CommitReservation>()
            .Handles<OrderExpired, ReleaseReservation>()
            .Handles<OrderFailed, ReleaseReservation>()
            .Handles<OrderCancelled, CancelReservation>()
            // One message per transaction. Batched handlings would hold the row locks of earlier
            // orders in the batch while later ones lock theirs, out of SKU order: two batches could
            // then deadlock on overlapping SKUs.
            .Configure(options => options.HandlerBatchSize = 1);

        builder.Services.AddSingleton<ChangeOnHand>();
        builder.Services.AddSingleton<ExpireReservations>();
        builder.Services.AddHostedService<ReservationExpiryJob>();
        return builder;
    }

    public static WebApplication MapInventoryApi(this WebApplication app)
    {
        var admin = app.MapGroup("").RequireAuthorization(Policies.Admin).WithTags("Stock");
        SetStock.Map(admin);
        AdjustStock.Map(admin);
        SeedStock.Map(admin);
        GetStock.Map(admin);
        GetStockLedger.Map(admin);
        AuditStock.Map(admin);

        GetAvailability.Map(app.MapGroup("").WithTags("Internal"));
        return app;
    }
}
