namespace Stampede.Contracts.Identity;

/// <summary>A verification code was issued for a user's email address; the notification
/// service delivers it.</summary>
[EventName("identity.verification-code-issued.v1")]
public sealed record VerificationCodeIssued(Guid UserId, string Email, string Code, DateTimeOffset ExpiresAt)
    : IntegrationEvent;
