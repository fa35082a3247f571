using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WardLink.IntegrationTests.Partners;

/// <summary>A request the receiver got: its path, a copy of its headers, its body.</summary>
public sealed record ReceivedWebhook(string Path, IHeaderDictionary Headers, string Body)
{
    public string Id => Headers["webhook-id"].ToString();
}

/// <summary>
/// A partner's webhook endpoint for the tests: Kestrel on a free loopback port, recording every
/// request, answering each path as the test says (by how many requests that path has had).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<int, int>> _answers = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<string, Func<HttpResponse, Task>> _writers = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{name}", async (string name, HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            receiver.Received.Enqueue(new ReceivedWebhook(http.Request.Path, new HeaderDictionary(http.Request.Headers.ToDictionary()), body));
            var count = receiver._counts.AddOrUpdate(name, 1, (_, previous) => previous + 1);
            if (receiver._writers.TryGetValue(name, out var write))
            {
                await write(http.Response);
                return Results.Empty;
            }

            var status = receiver._answers.TryGetValue(name, out var answer) ? answer(count) : StatusCodes.Status200OK;
            return Results.Text(status < 300 ? "thanks" : "not now", statusCode: status);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The address of endpoint <paramref name="name"/>, answering the n-th request to it with <paramref name="answer"/>(n) (200 when not given).</summary>
    public string Endpoint(string name, Func<int, int>? answer = null)
    {
        if (answer is not null)
        {
            _answers[name] = answer;
        }

        return new Uri(Address, $"/hooks/{name}").AbsoluteUri;
    }

    /// <summary>The address of endpoint <paramref name="name"/>, answering every request as <paramref name="write"/> writes it, byte by byte.</summary>
    public string Endpoint(string name, Func<HttpResponse, Task> write)
    {
        _writers[name] = write;
        return new Uri(Address, $"/hooks/{name}").AbsoluteUri;
    }

    public IReadOnlyList<ReceivedWebhook> At(string name) => [.. Received.Where(request => request.Path == $"/hooks/{name}")];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>
/// A receiver below HTTP: a TCP listener on a free loopback port that reads each request (its head, then the body its
/// <c>Content-Length</c> announces) and answers the bytes the test gave its path, whatever they are, then hangs up.
/// </summary>
public sealed class RawReceiver : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, byte[]> _answers = new();
    private readonly CancellationTokenSource _stop = new();

    private RawReceiver()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public static RawReceiver Start() => new();

    /// <summary>The address of endpoint <paramref name="name"/>, answering every request with <paramref name="answer"/> as it is.</summary>
    public string Endpoint(string name, string answer)
    {
        _answers[$"/raw/{name}"] = Encoding.Latin1.GetBytes(answer);
        return $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/raw/{name}";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _ = AnswerAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
            }
            catch (Exception stopped) when (stopped is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task AnswerAsync(TcpClient connection)
    {
        using (connection)
        {
            try
            {
                var stream = connection.GetStream();
                var head = await ReadHeadAsync(stream);
                var lines = head.Split("\r\n");
                var length = lines.Select(line => line.Split(':', 2)).Where(field => field.Length == 2 && field[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(field => int.Parse(field[1].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
                await stream.ReadExactlyAsync(new byte[length], _stop.Token);
                var path = lines[0].Split(' ') is [_, var target, ..] ? target : string.Empty;
                await stream.WriteAsync(_answers.GetValueOrDefault(path, Encoding.Latin1.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")), _stop.Token);
                connection.Client.Shutdown(SocketShutdown.Send);
                await stream.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, _stop.Token);
            }
            catch (Exception ended) when (ended is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The sender hung up first, or the receiver stopped.
            }
        }
    }

    /// <summary>The request's head, up to the empty line that ends it.</summary>
    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                throw new IOException("The request ended before its head did.");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
