using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Stampede.Gateway.Tests.Infrastructure;

public static class GatewayHttp
{
    public static async Task<EchoReply> ReadEchoAsync(this HttpResponseMessage response)
    {
        var reply = (await response.Content.ReadFromJsonAsync<EchoReply>(JsonSerializerOptions.Web))!;
        return reply with { Headers = new Dictionary<string, string>(reply.Headers, StringComparer.OrdinalIgnoreCase) };
    }

    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Sends a request line exactly as written (HttpClient would normalise dot segments
    /// and escapes) and returns the status code of the answer.</summary>
    public static async Task<int> SendRawAsync(Uri server, string method, string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        var request = $"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        var parts = statusLine.Split(' ');
        return parts.Length > 1 && int.TryParse(parts[1], out var status)
            ? status
            : throw new InvalidOperationException($"No HTTP answer to {method} {target}: '{statusLine}'");
    }
}
