using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WardLink.Gateway;
using Yarp.ReverseProxy.Configuration;

namespace WardLink.UnitTests;

/// <summary>
/// Requests that find no merged document kept share one reading of the services: twenty at once ask each service once,
/// whether the document they make is complete (then kept) or lacks a service (then read again by the next caller).
/// </summary>
public sealed class MergedApiDocumentTests
{
    private static readonly string[] Services = ["tips", "incidents"];

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Callers_at_once_share_one_reading_of_the_services(HttpStatusCode answer)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = 0;
        var services = new Answering(async request =>
        {
            Interlocked.Increment(ref asked);
            await release.Task;
            return new HttpResponseMessage(answer) { Content = new StringContent("""{"openapi":"3.1.1","paths":{}}""", Encoding.UTF8, "application/json") };
        });
        using var cache = new MemoryCache(new MemoryCacheOptions());
        var document = new ApiDocument.MergedApiDocument(
            new InMemoryConfigProvider([], [.. Services.Select(name => new ClusterConfig
            {
                ClusterId = name,
                Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = $"http://{name}.invalid/" } },
            })]),
            services,
            cache,
            Options.Create(new ApiDocumentOptions()),
            NullLogger<ApiDocument.MergedApiDocument>.Instance);

        var readers = Enumerable.Range(0, 20).Select(_ => document.GetAsync(TestContext.Current.CancellationToken)).ToList();
        release.SetResult();
        var documents = await Task.WhenAll(readers);

        Assert.Equal(Services.Length, asked);
        Assert.All(documents, read => Assert.Equal(answer == HttpStatusCode.OK ? 0 : Services.Length, read.Missing.Count));
        Assert.Single(documents.Select(read => read.Json).Distinct());
    }

    private sealed class Answering(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer) : HttpMessageHandler, IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(this, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request);
    }
}
