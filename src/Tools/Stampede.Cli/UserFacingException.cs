namespace Stampede.Cli;

/// <summary>A failure whose message tells the user what to do; printed without a stack trace.</summary>
public class UserFacingException(string message, string? details = null) : Exception(message)
{
    public string? Details => details;
}
