namespace Stampede.Catalog.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after the timeout.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still not true: {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
