/**
 * Given names common across many languages, used to spot a person's full name in running text ("ask Priya Raman",
 * "Jonas Weber fixed it") when no known name and no author line gives it away. Only a given name followed by a
 * capitalised surname counts, and names that are also everyday or technical words (Will, Grant, Ruby, Jasmine) are
 * left out, so "Ruby Gems" or "Will Not" stay.
 */
export const FIRST_NAMES = new Set(`
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Donald
Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas
Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Jack Dennis Jerry Tyler
Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin
Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert
Willie Elijah Randy Wayne Vincent Russell Louis Philip Bobby Johnny Bradley Mary Patricia Jennifer Linda Elizabeth
Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Dorothy
Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma
Nicole Helen Samantha Katherine Christine Debra Rachel Catherine Carolyn Janet Maria Heather Diane Julie Joyce
Victoria Kelly Christina Lauren Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann
Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Denise Marilyn Danielle Beverly Isabella Theresa
Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Jane Oliver Liam Lucas Mason Aiden Caleb Owen Isaac Luke
Sebastian Mateo Leo Julian Ezra Lincoln Jaxon Asher Nolan Camila Olivia Ava Mia Harper Amelia Ella Chloe Aria
Scarlett Zoe Zoey Nora Lily Eleanor Hazel Addison Luna Stella Ellie Paisley Leah Audrey Savannah Claire Skylar Lucy
Caroline Aaliyah Kennedy Kinsley Allison Naomi Elena Sofia Sophie Valentina Ximena Lucia Carlos Luis Miguel Jorge
Pedro Pablo Diego Javier Alejandro Fernando Ricardo Eduardo Sergio Manuel Rafael Andres Alberto Raul Enrique Ramon
Francisco Antonio Jesus Mario Roberto Hector Oscar Ruben Gonzalo Ignacio Santiago Rodrigo Carmen Rosa Ana Isabel
Pilar Dolores Beatriz Cristina Marta Raquel Silvia Paula Alba Irene Nuria Lorena Hans Klaus Jurgen Jürgen Stefan
Andreas Wolfgang Uwe Dieter Matthias Thorsten Jens Sven Lars Jonas Lukas Felix Maximilian Florian Tobias Niklas
Moritz Philipp Johannes Julia Katrin Sabine Ursula Petra Monika Claudia Birgit Anke Heike Ingrid Greta Lena Lea
Johanna Jean-Pierre Pierre Jacques Michel Philippe Alain Nicolas Olivier Francois François Laurent Sylvain Thierry
Julien Mathieu Guillaume Antoine Baptiste Camille Manon Chloé Mathilde Amélie Amelie Céline Celine Nathalie Isabelle
Sylvie Valérie Valerie Giuseppe Giovanni Marco Luca Matteo Alessandro Lorenzo Francesco Stefano Davide Simone
Federico Riccardo Giorgio Paolo Giulia Francesca Chiara Martina Alessia Elisa Federica Raj Rahul Amit Arjun Vikram
Sanjay Rohan Aditya Ankit Anand Ravi Suresh Ramesh Deepak Karthik Vivek Nikhil Pranav Varun Siddharth Priya Ananya
Divya Pooja Neha Sneha Kavya Lakshmi Deepika Shreya Aishwarya Meera Anjali Sunita Wei Jing Hao Yang Xin Fang Ying
Jian Qiang Zhang Chen Xiao Hiroshi Takashi Kenji Yuki Haruto Sota Kaito Akira Satoshi Yuto Daisuke Sakura Yui Hina
Aoi Mei Haruka Yuna Mohammed Muhammad Ahmed Ali Omar Hassan Hussein Ibrahim Yusuf Khalid Tariq Karim Mustafa Fatima
Aisha Layla Leila Zainab Mariam Yasmin Amina Hana Ivan Dmitri Dmitry Sergei Sergey Alexei Alexey Andrei Andrey
Nikolai Vladimir Mikhail Pavel Yuri Igor Oleg Olga Natalia Natasha Svetlana Tatiana Irina Ekaterina Anastasia Piotr
Krzysztof Tomasz Marek Pawel Paweł Łukasz Lukasz Agnieszka Katarzyna Magdalena Zofia Erik Anders Magnus Nils Olof
Henrik Karin Astrid Freya Sigrid Elin Maja Ebba Linnea Mikko Jukka Matti Aino Kwame Kofi Chinedu Emeka Oluwaseun
Tunde Ngozi Chiamaka Amara Thabo Sipho Lindiwe Zanele Tendai Fatou Moussa Mamadou Ousmane Aminata Joao João Tiago
Gustavo Thiago Rafaela Bruna Larissa Leticia Letícia Yara Cem Emre Burak Mehmet Ayşe Ayse Zeynep Kemal Murat Nguyen
Minh Thanh Linh Anh Huy Tuan Seo-yeon Ji-hoon Min-jun Seo-jun Ha-eun Ji-woo Jiwoo Jisoo Hyun Soo-ah Priyanka Arun
Kiran Sai Gopal Mohan Harish Nitin Rajesh Manoj Aleksandr Alexandra  Nadia Nina Vera Eva Ida Clara Klara Tessa
Lotte Sanne Femke Daan Bram Thijs Wouter Pieter Joost Maarten Koen Sander Eline Fleur Anouk Jesper Rasmus Mads
Frederik Mette Sofie Ciaran Cian Niamh Siobhan Aoife Saoirse Padraig Eoin Declan Ronan Fiona Alistair Hamish Callum
Ewan Isla Mairi Rhys Gareth Dafydd Cerys Bethan Siân Sian Connor Shaun Gavin Craig Neil Colin Malcolm Graham Duncan
Fraser Marcus Tristan Damian Adrian Dominic Quentin Simon Martin Emil Anton Viktor Victor Leon Elias Theo Marcel
Marlene Frieda Luisa Maren Svenja Wiebke Jannik Finn Malte Jannis Fynn Timo Marius
Étienne Etienne Théo Clément Clement Hélène Helene Aurélie Aurelie Élodie Elodie Rémi Remi Jérôme Jerome Frédéric
Frederic Stéphane Stephane Sébastien Sebastien Benoît Benoit Gaël Gael Loïc Loic Zoë Noémie Noemie Léa Maëlle Inès
Ines Océane José María Sofía Andrés Íñigo Inigo Álvaro Alvaro Jesús Joaquín Joaquin Martín Lucía Mónica Monica
Björn Bjorn Søren Soren Jørgen Jorgen Åsa Asa Özlem Ozlem Gül Şule Sule Ömer Omer Çağla Cagla Zoltán Zoltan Ágnes
Agnes Dávid Tomáš Tomas Jiří Jiri Lukáš Lukas Ondřej Ondrej Michał Michal Wojciech Małgorzata Malgorzata Bogdan
Răzvan Razvan Ioana Andreea Mihai Nikola Milica Dragan Goran Ana-Maria Hyun-woo Jae-won Eun-ji Takumi Ryota
Shota Haruki Aiko Emi Naoko Keiko Tariq Rashid Samir Nabil Rania Salma Dina Reem Youssef Bilal Hamza Zara Aliyu
Babajide Chukwuemeka Obinna Adaeze Folake Yetunde Wanjiru Njeri Otieno Baraka Zawadi Asha Ikaika Keanu Tevita Sione
`.split(/\s+/).filter(Boolean));
