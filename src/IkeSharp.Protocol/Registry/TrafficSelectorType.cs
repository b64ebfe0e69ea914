namespace IkeSharp.Protocol;

/// <summary>IKEv2 Traffic Selector Types (IANA; RFC 7296 §3.13.1).</summary>
public enum TrafficSelectorType : byte
{
    TS_IPV4_ADDR_RANGE = 7,
    TS_IPV6_ADDR_RANGE = 8,
    TS_FC_ADDR_RANGE = 9,
    TS_SECLABEL = 10,
}
