using Microsoft.Extensions.DependencyInjection.Extensions;
using Stampede.Contracts.Identity;
using Stampede.Identity.Addresses;
using Stampede.Identity.Admin;
using Stampede.Identity.DevMailbox;
using Stampede.Identity.Keys;
using Stampede.Identity.Persistence;
using Stampede.Identity.Tokens;
using Stampede.Identity.Users;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Auth;
using Stampede.ServiceDefaults.Telemetry;

namespace Stampede.Identity;

/// <summary>Marks the identity service's assembly (for WebApplicationFactory and migrations).</summary>
public sealed class IdentityService;

/// <summary>All of identity's wiring: its services, the events it publishes, and its endpoints.</summary>
public static class IdentityModule
{
    public static WebApplicationBuilder AddIdentityModule(this WebApplicationBuilder builder)
    {
        var settings = IdentitySettings.From(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(settings);

        // No service consumes these yet: with no queue bound they are dropped, not kept in the outbox.
        builder.AddMessaging("identity")
            .Publishes<UserRegistered>(mayHaveNoSubscriber: true)
            .Publishes<VerificationCodeIssued>(mayHaveNoSubscriber: true)
            .Publishes<UserEmailVerified>(mayHaveNoSubscriber: true);

        builder.Services.AddSingleton<Passwords>();
        builder.Services.AddSingleton<HashingGate>();
        builder.Services.AddSingleton<SignUpThrottle>();
        builder.Services.AddTelemetrySource(Passwords.MeterName);
        builder.Services.AddSingleton<VerificationCodeKey>();
        builder.Services.AddSingleton<VerificationCodes>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<SigningKeyRing>();
        // Identity checks its own tokens against its key ring rather than fetching its own JWKS over HTTP.
        builder.Services.Replace(ServiceDescriptor.Singleton<ISigningKeySource>(sp => sp.GetRequiredService<SigningKeyRing>()));

        // Hosted services start in this order, after the schema migrations registered by AddPostgres.
        builder.Services.AddHostedService<SigningKeyInitializer>();
        builder.Services.AddHostedService<AdminAccountSeeder>();
        builder.Services.AddHostedService<ExpiredRowSweeper>();
        builder.Services.AddSingleton<SentCodeScrubber>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SentCodeScrubber>());
        return builder;
    }

    public static WebApplication MapIdentityApi(this WebApplication app)
    {
        var users = app.MapGroup("").WithTags("Users");
        users.MapRegisterUser();
        users.MapVerifyEmail();
        users.MapResendVerificationCode();
        users.MapGetMe();
        users.MapUpdateMe();

        var tokens = app.MapGroup("").WithTags("Tokens");
        tokens.MapIssueTokens();
        tokens.MapRefreshTokens();
        tokens.MapRevokeTokens();

        var addresses = app.MapGroup("").WithTags("Addresses");
        addresses.MapListAddresses();
        addresses.MapGetAddress();
        addresses.MapAddAddress();
        addresses.MapUpdateAddress();
        addresses.MapDeleteAddress();
        addresses.MapMakeAddressDefault();

        app.MapGetJwks();

        var admin = app.MapGroup("/admin").WithTags("Admin").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapFindUsers();
        admin.MapGetUser();
        admin.MapListSigningKeys();
        admin.MapRotateSigningKeys();

        if (app.Services.GetRequiredService<IdentitySettings>().DevMailbox) app.MapReadDevMailbox();
        return app;
    }
}
