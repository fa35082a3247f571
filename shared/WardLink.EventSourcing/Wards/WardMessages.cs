using MassTransit;
using WardLink.Domain;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// The ward travels with every integration message as a header: the relay sets it from the event's
/// ward (the store's tenant), and a consumer acts in it (<see cref="WardContext"/>), so what a message
/// causes is recorded in the ward of what caused it. A message without the header (published before
/// wards existed) acts in the home ward; a malformed one is refused.
/// </summary>
public static class WardMessages
{
    public const string Header = "WardLink-Ward";

    public static void UseWardOfMessages(this IConsumePipeConfigurator pipe) => pipe.UseFilter(new WardOfMessage());

    private sealed class WardOfMessage : IFilter<ConsumeContext>
    {
        public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            if (context.Headers.Get<string>(Header) is not { } ward)
            {
                await next.Send(context);
                return;
            }

            if (!WardNames.IsId(ward))
            {
                throw new InvalidMessageException($"A message names ward '{ward}', which is not a ward id.");
            }

            using (WardContext.Enter(ward))
            {
                await next.Send(context);
            }
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("wardOfMessage");
    }
}
