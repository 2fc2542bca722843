using Stampede.Cli.Services;

namespace Stampede.Cli.Api;

/// <summary>What demo, bench (and later rehearse) check before they drive the public API.</summary>
public static class GatewayCheck
{
    /// <summary>Stops with the command to run when the gateway does not answer ready.</summary>
    public static async Task EnsureUpAsync(StampedeApi api, CancellationToken ct)
    {
        if (!await api.IsReadyAsync(ct))
        {
            throw new UserFacingException($"Stampede is not running (the gateway at {ServiceCatalog.Gateway.Url} is not ready): run ./stampede up --detach first.");
        }
    }
}
