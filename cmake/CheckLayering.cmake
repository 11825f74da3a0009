# The include direction inside engine/ (docs/architecture.md): each layer includes only the
# layers below it. covenant_forbid_links checks what targets link; this checks what sources
# include, folder by folder, so a header that reaches back up fails the build.
#   cmake -DROOT=<repository> -P cmake/CheckLayering.cmake   (also run at configure time)
#
# folder        may not include
set(COVENANT_LAYERS
  "engine/history|engine/model,engine/store,engine/runtime,engine/scheduler,engine/approvals,engine/audit,engine/notify,engine/auth"
  "engine/model|engine/store,engine/runtime,engine/scheduler,engine/approvals,engine/audit,engine/notify,engine/auth"
  "engine/store|engine/runtime,engine/scheduler,engine/approvals,engine/audit,engine/notify,engine/auth"
  "engine/runtime|engine/scheduler,engine/approvals,engine/audit,engine/notify,engine/auth"
)

function(covenant_check_layering root)
  set(problems "")
  foreach(rule IN LISTS COVENANT_LAYERS)
    string(REPLACE "|" ";" parts "${rule}")
    list(GET parts 0 folder)
    list(GET parts 1 forbidden)
    string(REPLACE "," ";" forbidden "${forbidden}")
    file(GLOB_RECURSE sources "${root}/${folder}/*.cpp" "${root}/${folder}/*.hpp")
    foreach(source IN LISTS sources)
      file(STRINGS "${source}" includes REGEX "^#include \"engine/")
      foreach(line IN LISTS includes)
        foreach(upper IN LISTS forbidden)
          if(line MATCHES "^#include \"${upper}/")
            file(RELATIVE_PATH rel "${root}" "${source}")
            string(APPEND problems "\n  ${rel}: ${line} (${folder} is below ${upper})")
          endif()
        endforeach()
      endforeach()
    endforeach()
  endforeach()
  if(problems)
    message(FATAL_ERROR "an include runs up the engine's layers (docs/architecture.md):${problems}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  covenant_check_layering("${ROOT}")
endif()
