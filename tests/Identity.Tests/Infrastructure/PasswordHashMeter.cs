using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Stampede.Identity.Users;

namespace Stampede.Identity.Tests.Infrastructure;

/// <summary>Listens to one app's password-hash instruments (its own IMeterFactory, so apps of other
/// test classes running in parallel do not count): hashes done, and the most running at once.</summary>
public sealed class PasswordHashMeter : IDisposable
{
    private readonly MeterListener listener = new();
    private long hashes;
    private long running;
    private long mostRunning;

    public PasswordHashMeter(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Passwords.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "stampede.identity.password.hashes") Interlocked.Add(ref hashes, value);
            else if (instrument.Name == "stampede.identity.password.hashing")
            {
                var now = Interlocked.Add(ref running, value);
                long seen;
                while (now > (seen = Interlocked.Read(ref mostRunning)) && Interlocked.CompareExchange(ref mostRunning, now, seen) != seen)
                {
                }
            }
        });
        listener.Start();
    }

    public long Hashes => Interlocked.Read(ref hashes);
    public long MostRunningAtOnce => Interlocked.Read(ref mostRunning);

    public void Dispose() => listener.Dispose();
}
