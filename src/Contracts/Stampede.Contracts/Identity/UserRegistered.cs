namespace Stampede.Contracts.Identity;

/// <summary>A customer account was created (its email is not verified yet).</summary>
[EventName("identity.user-registered.v1")]
public sealed record UserRegistered(Guid UserId, string Email, string Name) : IntegrationEvent;
