using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using Stampede.PgSimulator.Checkout;
using Stampede.PgSimulator.Failures;
using Stampede.PgSimulator.Payments;
using Stampede.PgSimulator.Webhooks;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.PgSimulator;

/// <summary>Marks the simulator's assembly for <c>WebApplicationFactory</c>.</summary>
public sealed class PgSimulatorService;

/// <summary>All of the PG simulator's wiring. State lives in memory: a restart forgets every payment.</summary>
public static class PgSimulatorModule
{
    public static WebApplicationBuilder AddPgSimulatorModule(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PgSimulatorOptions>().BindConfiguration(PgSimulatorOptions.Section)
            .Validate(options => options.RetryDelays() is not null && options.MaxAttempts() >= 1, "PgSim:WebhookMaxAttempts must be at least 1.")
            .Validate(options => !string.IsNullOrEmpty(options.SecretKey), "PgSim:SecretKey is required.")
            .ValidateOnStart();
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookSender>());
        builder.Services.AddSingleton<PaymentStore>();
        builder.Services.AddSingleton<IdempotencyKeys>();
        builder.Services.AddSingleton<FailureModes>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ISigningKeySource, NoAccessTokens>());
        return builder;
    }

    public static WebApplication MapPgSimulatorApi(this WebApplication app)
    {
        var merchant = app.MapGroup("/v1/payments").WithTags("Merchant API").AddEndpointFilter<MerchantAuthentication>();
        merchant.MapPost("/", CreatePayment.Handle);
        merchant.MapPost("/confirm", ConfirmPayment.Handle);
        merchant.MapPost("/{paymentKey}/cancel", CancelPayment.Handle);
        merchant.MapGet("/{paymentKey}", GetPayment.ByPaymentKey);
        merchant.MapGet("/orders/{orderId}", GetPayment.ByOrderId);

        app.MapGroup("/checkout").WithTags("Checkout (the buyer)").MapCheckout();
        app.MapGroup("/sim").WithTags("Simulator control").MapFailureModes();
        return app;
    }
}

/// <summary>The PG knows no access tokens (merchants use their secret key), so a stray
/// <c>Bearer</c> header must fail quietly here instead of sending the token check to identity.</summary>
internal sealed class NoAccessTokens : ISigningKeySource
{
    public Task<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<SecurityKey>>([]);
}
