using System.Net;
using System.Net.Http.Headers;

namespace WardLink.Testing;

/// <summary>Content of no bytes whose length is not known beforehand (a client's stream): sent chunked, its last chunk alone.</summary>
public sealed class EmptyOfUnknownLength : HttpContent
{
    public EmptyOfUnknownLength(string? type)
    {
        if (type is not null)
        {
            Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Task.CompletedTask;

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
