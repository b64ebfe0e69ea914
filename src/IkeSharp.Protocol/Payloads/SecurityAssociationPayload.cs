using System.Collections.Immutable;

namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.3, Security Association Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                          <Proposals>                          ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>SA payload: one or more proposals in the sender's preference order.</summary>
public sealed record SecurityAssociationPayload(ImmutableArray<Proposal> Proposals) : Payload
{
    public override PayloadType Type => PayloadType.SA;

    public static SecurityAssociationPayload Read(ref IkeReader reader)
    {
        var proposals = ImmutableArray.CreateBuilder<Proposal>(1);
        var last = false;
        while (reader.Remaining > 0)
        {
            if (last)
            {
                reader.Fail("proposal follows one marked last (Last Substruc 0)");
                break;
            }

            proposals.Add(Proposal.Read(ref reader, out last));
        }

        if (!reader.Failed && proposals.Count == 0)
        {
            reader.Fail("SA payload holds no proposal");
        }
        else if (!reader.Failed && !last)
        {
            reader.Fail("last proposal is not marked last (Last Substruc must be 0)");
        }

        return new SecurityAssociationPayload(proposals.DrainToImmutable());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        for (var i = 0; i < Proposals.Length; i++)
        {
            Proposals[i].Write(ref writer, isLast: i == Proposals.Length - 1);
        }
    }
}
