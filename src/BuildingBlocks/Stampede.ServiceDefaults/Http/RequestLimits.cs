using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Stampede.ServiceDefaults.Http;

public static class RequestLimits
{
    /// <summary>Default cap on a request body; large enough for any JSON command we accept.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    public static void AddRequestLimits(this WebApplicationBuilder builder)
    {
        var maxBody = builder.Configuration.GetValue("Limits:MaxRequestBodyBytes", DefaultMaxBodyBytes);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<FormOptions>(options => options.MultipartBodyLengthLimit = maxBody);
        // Minimal APIs only throw (and so reach our problem-details handler) when this is on;
        // otherwise a malformed body gets an empty 400 that names nothing.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
    }
}
