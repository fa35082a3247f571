using System.Net.Http.Headers;
using System.Text;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>Request bodies as bad input arrives: any text labelled JSON, with or without a length.</summary>
public static class JsonBodies
{
    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>A body sent without Content-Length (chunked on a socket).</summary>
    public static StreamContent Chunked(string text)
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = null;
        return content;
    }
}
