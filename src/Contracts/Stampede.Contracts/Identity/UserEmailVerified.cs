namespace Stampede.Contracts.Identity;

/// <summary>A user proved they own their email address.</summary>
[EventName("identity.user-email-verified.v1")]
public sealed record UserEmailVerified(Guid UserId, string Email) : IntegrationEvent;
