using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;

namespace Stampede.ServiceDefaults.Auth;

public static class JwtAuthentication
{
    /// <summary>Bearer authentication against identity's keys (RS256 only, signed, unexpired, right
    /// issuer and audience), the admin policy, and problem details for 401s.</summary>
    public static void AddJwtAuthentication(this WebApplicationBuilder builder)
    {
        // Read when first needed, so configuration added after AddServiceDefaults (tests, hosts) counts.
        builder.Services.AddSingleton(sp =>
            sp.GetRequiredService<IConfiguration>().GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new JwtSettings());
        builder.Services.AddHttpClient<JwksSigningKeySource>(client => client.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.TryAddSingleton<ISigningKeySource>(sp => sp.GetRequiredService<JwksSigningKeySource>());
        builder.Services.AddSingleton<SigningKeyConfigurationManager>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyConfigurationManager, JwtSettings>((options, keys, settings) =>
            {
                options.ConfigurationManager = keys;
                options.RequireHttpsMetadata = false;
                options.MapInboundClaims = false;
                options.RefreshOnIssuerKeyNotFound = true;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ValidateLifetime = true,
                    ClockSkew = settings.ClockSkew,
                    NameClaimType = StampedeClaims.UserId,
                    RoleClaimType = StampedeClaims.Role,
                };
                options.Events = new JwtBearerEvents { OnChallenge = WriteChallengeAsync };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
    }

    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var detail = context.AuthenticateFailure switch
        {
            null => "An access token is required (Authorization: Bearer <token>).",
            SecurityTokenExpiredException => "The access token has expired.",
            _ => "The access token is invalid.",
        };
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : "Bearer error=\"invalid_token\"";
        var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails = new ProblemDetails { Status = 401, Title = "Unauthorized", Detail = detail },
        });
    }
}
