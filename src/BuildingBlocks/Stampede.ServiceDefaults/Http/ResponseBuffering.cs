namespace Stampede.ServiceDefaults.Http;

/// <summary>Reads the whole answer inside the pipeline, so a peer that sends its headers and then
/// stalls is cut off by the attempt and call timeouts (HttpClient would otherwise buffer it after the
/// pipeline returns, under no timeout). Internal answers are small JSON documents.</summary>
internal sealed class ResponseBuffering : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
