"""The Arena tab: answers compared two at a time, the models hidden until the vote."""
