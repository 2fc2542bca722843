using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Stampede.ServiceDefaults.Input;

/// <summary>The control-character guard for every service: JSON bodies through
/// <see cref="CheckedStringConverter"/>, query and route values through <see cref="ControlCharacterMiddleware"/>.</summary>
public static class InputGuardExtensions
{
    /// <summary>Call before the other exception handlers are added: handlers run in the order added.</summary>
    public static IServiceCollection AddInputGuard(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(options => options.SerializerOptions.Converters.Add(new CheckedStringConverter()));
        services.AddExceptionHandler<ControlCharacterProblemHandler>();
        return services;
    }

    public static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) => app.UseMiddleware<ControlCharacterMiddleware>();
}
