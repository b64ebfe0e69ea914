using System.CommandLine;
using IkeSharp.Cli.Decode;

var root = new RootCommand("ikesharp: IKEv2 tools and control of the IkeSharp daemon")
{
    DecodeCommand.Create(),
};

return root.Parse(args).Invoke();
