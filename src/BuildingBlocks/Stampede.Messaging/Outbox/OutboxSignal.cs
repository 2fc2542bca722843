using System.Threading.Channels;

namespace Stampede.Messaging;

/// <summary>Tells this process's relay that an outbox row was just written. The row becomes visible
/// only when its transaction commits, so the relay answers with a few quick looks at growing
/// intervals rather than one.</summary>
internal sealed class OutboxSignal
{
    private readonly Channel<bool> written = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void RowWritten() => written.Writer.TryWrite(true);

    /// <summary>Waits for a signal; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (written.Reader.TryRead(out _))
        {
            return true;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await written.Reader.ReadAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
