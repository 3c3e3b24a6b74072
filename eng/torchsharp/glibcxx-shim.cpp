// std::ios_base_library_init(), the one GCC 13 libstdc++ symbol (GLIBCXX_3.4.32) that TorchSharp 0.107's native shim
// asks for. GCC 13 emits a call to it from <iostream> so that the standard streams are set up before use; older
// runtimes do that from every translation unit that includes <iostream> with a static std::ios_base::Init, which is
// what this definition holds. Built with the machine's g++ by eng/torchsharp/fix-glibcxx.sh.
#include <ios>

namespace std
{
    void ios_base_library_init()
    {
        static ios_base::Init init;
    }
}
