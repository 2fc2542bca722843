using System.Security.Claims;

namespace Stampede.ServiceDefaults.Auth;

/// <summary>Claim names in Stampede access tokens (JWT registered names where one exists).</summary>
public static class StampedeClaims
{
    public const string UserId = "sub";
    public const string Email = "email";
    public const string Name = "name";
    public const string Role = "role";
    public const string EmailVerified = "email_verified";
}

public static class Roles
{
    public const string Customer = "customer";
    public const string Admin = "admin";
}

public static class Policies
{
    /// <summary>Endpoints for shop operators: needs the <see cref="Roles.Admin"/> role.</summary>
    public const string Admin = "admin";
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated user's id; only call behind <c>RequireAuthorization</c>.</summary>
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(StampedeClaims.UserId), out var id)
            ? id
            : throw new InvalidOperationException("The principal carries no user id.");

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.IsInRole(Roles.Admin);
}
