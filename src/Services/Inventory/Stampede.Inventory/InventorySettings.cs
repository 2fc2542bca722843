namespace Stampede.Inventory;

/// <summary>Inventory's own settings (section <c>Inventory</c>).</summary>
public sealed class InventorySettings
{
    public const string Section = "Inventory";

    /// <summary>A reservation is held this long past the order's payment deadline. Ordering expires
    /// the order at the deadline; the reservation's own expiry is only the safety net behind it, so
    /// it must not beat ordering's decision (late events, clock skew).</summary>
    public TimeSpan ReservationGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the expiry job looks for held reservations past their expiry.</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(5);
}
